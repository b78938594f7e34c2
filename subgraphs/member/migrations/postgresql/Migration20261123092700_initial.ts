import { Migration } from '@mikro-orm/migrations';

export class Migration20261123092700_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "institution" ("id" varchar(253) not null, "name" varchar(255) not null, "short_name" varchar(64) null, "country" varchar(2) not null, "associate" boolean not null default false, "accreditation_authority" varchar(32) not null, "qa_body" varchar(255) not null, "qa_arrangement" varchar(255) not null, "website" varchar(255) null, constraint "institution_pkey" primary key ("id"));`);

    this.addSql(`create table "learner_account" ("id" varchar(255) not null, "alliance_learner_id" varchar(64) null, "student_number" varchar(64) null, "given_name" varchar(128) not null, "family_name" varchar(128) not null, "email" varchar(255) null, "created_at" timestamptz not null, constraint "learner_account_pkey" primary key ("id"));`);
    this.addSql(`alter table "learner_account" add constraint "learner_account_alliance_learner_id_unique" unique ("alliance_learner_id");`);

    this.addSql(`create table "learning_opportunity" ("id" varchar(255) not null, "code" varchar(64) null, "title" varchar(255) not null, "sort_title" varchar(255) not null, "search_text" text not null, "description" text null, "kind" varchar(16) not null, "micro_credential_type" varchar(32) not null, "ects" double precision not null, "workload_hours" int not null, "eqf_level" int not null, "isced_f" varchar(8) null, "assessment_type" varchar(32) not null, "mode" varchar(16) not null, "learning_setting" varchar(16) not null, "quality_assurance" text not null, "prerequisites" text null, "supervision" varchar(32) null, "stackability" varchar(16) not null, "stackable_towards" varchar(255) null, "sdg_list" varchar(64) not null default '', "language_list" varchar(64) not null default 'en', "start_date" varchar(10) null, "end_date" varchar(10) null, "enrolment_deadline" varchar(10) null, "capacity" int null, "credit_bearing" boolean not null, "more_information_url" varchar(512) null, "accreditation_reference" varchar(128) null, "accreditation_body" varchar(255) null, "accreditation_decided_on" varchar(10) null, "accreditation_valid_until" varchar(10) null, "accreditation_url" varchar(512) null, constraint "learning_opportunity_pkey" primary key ("id"));`);
    this.addSql(`create index "learning_opportunity_sort_title_index" on "learning_opportunity" ("sort_title");`);
    this.addSql(`create index "learning_opportunity_start_date_index" on "learning_opportunity" ("start_date");`);

    this.addSql(`create table "enrolment" ("id" varchar(255) not null, "account_id" varchar(255) not null, "opportunity_id" varchar(255) not null, "status" varchar(16) not null, "enrolled_at" timestamptz not null, "status_changed_at" timestamptz not null, constraint "enrolment_pkey" primary key ("id"));`);
    this.addSql(`create index "enrolment_account_id_index" on "enrolment" ("account_id");`);
    this.addSql(`create index "enrolment_opportunity_id_index" on "enrolment" ("opportunity_id");`);

    this.addSql(`create table "achievement" ("id" varchar(255) not null, "account_id" varchar(255) not null, "opportunity_id" varchar(255) not null, "enrolment_id" varchar(255) null, "assessed_on" varchar(10) not null, "grade" varchar(16) null, "grading_scheme_code" varchar(32) not null, "passed" boolean not null, "ects_awarded" double precision not null, "supervision" varchar(32) null, constraint "achievement_pkey" primary key ("id"));`);
    this.addSql(`create index "achievement_account_id_index" on "achievement" ("account_id");`);
    this.addSql(`create index "achievement_opportunity_id_index" on "achievement" ("opportunity_id");`);
    this.addSql(`alter table "achievement" add constraint "achievement_enrolment_id_unique" unique ("enrolment_id");`);

    this.addSql(`create table "acquired_skill" ("id" serial primary key, "achievement_id" varchar(255) not null, "skill_uri" varchar(255) not null, "level" varchar(32) not null);`);
    this.addSql(`alter table "acquired_skill" add constraint "acquired_skill_achievement_id_skill_uri_unique" unique ("achievement_id", "skill_uri");`);

    this.addSql(`create table "learning_outcome" ("id" serial primary key, "opportunity_id" varchar(255) not null, "position" int not null, "description" text not null, "skill_uri" varchar(255) not null, "expected_proficiency" varchar(32) not null);`);
    this.addSql(`alter table "learning_outcome" add constraint "learning_outcome_opportunity_id_position_unique" unique ("opportunity_id", "position");`);

    this.addSql(`alter table "enrolment" add constraint "enrolment_account_id_foreign" foreign key ("account_id") references "learner_account" ("id") on update cascade;`);
    this.addSql(`alter table "enrolment" add constraint "enrolment_opportunity_id_foreign" foreign key ("opportunity_id") references "learning_opportunity" ("id") on update cascade;`);

    this.addSql(`alter table "achievement" add constraint "achievement_account_id_foreign" foreign key ("account_id") references "learner_account" ("id") on update cascade;`);
    this.addSql(`alter table "achievement" add constraint "achievement_opportunity_id_foreign" foreign key ("opportunity_id") references "learning_opportunity" ("id") on update cascade;`);
    this.addSql(`alter table "achievement" add constraint "achievement_enrolment_id_foreign" foreign key ("enrolment_id") references "enrolment" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "acquired_skill" add constraint "acquired_skill_achievement_id_foreign" foreign key ("achievement_id") references "achievement" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "learning_outcome" add constraint "learning_outcome_opportunity_id_foreign" foreign key ("opportunity_id") references "learning_opportunity" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "enrolment" drop constraint "enrolment_account_id_foreign";`);

    this.addSql(`alter table "achievement" drop constraint "achievement_account_id_foreign";`);

    this.addSql(`alter table "enrolment" drop constraint "enrolment_opportunity_id_foreign";`);

    this.addSql(`alter table "achievement" drop constraint "achievement_opportunity_id_foreign";`);

    this.addSql(`alter table "learning_outcome" drop constraint "learning_outcome_opportunity_id_foreign";`);

    this.addSql(`alter table "achievement" drop constraint "achievement_enrolment_id_foreign";`);

    this.addSql(`alter table "acquired_skill" drop constraint "acquired_skill_achievement_id_foreign";`);

    this.addSql(`drop table if exists "institution" cascade;`);

    this.addSql(`drop table if exists "learner_account" cascade;`);

    this.addSql(`drop table if exists "learning_opportunity" cascade;`);

    this.addSql(`drop table if exists "enrolment" cascade;`);

    this.addSql(`drop table if exists "achievement" cascade;`);

    this.addSql(`drop table if exists "acquired_skill" cascade;`);

    this.addSql(`drop table if exists "learning_outcome" cascade;`);
  }

}
