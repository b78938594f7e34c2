import { Migration } from '@mikro-orm/migrations';

export class Migration20261207041354_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "analytics_audit" ("id" serial primary key, "at" timestamptz not null, "actor_subject" varchar(255) not null, "actor_roles" varchar(255) not null, "actor_member_id" varchar(253) null, "actor_learner_id" varchar(64) null, "action" varchar(64) not null, "entity_type" varchar(64) not null, "entity_id" varchar(255) not null, "before" text null, "after" text null);`);
    this.addSql(`create index "analytics_audit_entity_type_entity_id_index" on "analytics_audit" ("entity_type", "entity_id");`);
    this.addSql(`create index "analytics_audit_actor_learner_id_index" on "analytics_audit" ("actor_learner_id");`);

    this.addSql(`create table "offering_feedback" ("id" varchar(36) not null, "learner_id" varchar(64) null, "enrolment_id" varchar(255) not null, "offering_id" varchar(255) not null, "member_id" varchar(253) not null, "content" int not null, "workload" int not null, "assessment" int not null, "support" int not null, "relevance" int not null, "comment" text null, "ects" double precision not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "revision" int not null, constraint "offering_feedback_pkey" primary key ("id"));`);
    this.addSql(`create index "offering_feedback_offering_id_index" on "offering_feedback" ("offering_id");`);
    this.addSql(`create index "offering_feedback_member_id_index" on "offering_feedback" ("member_id");`);
    this.addSql(`alter table "offering_feedback" add constraint "offering_feedback_learner_id_offering_id_unique" unique ("learner_id", "offering_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "analytics_audit" cascade;`);

    this.addSql(`drop table if exists "offering_feedback" cascade;`);
  }

}
