import { Migration } from '@mikro-orm/migrations';

export class Migration20261207033636_enrolment_applications extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "member_audit" ("id" serial primary key, "at" timestamptz not null, "actor_subject" varchar(255) not null, "actor_roles" varchar(255) not null, "actor_member_id" varchar(253) null, "actor_learner_id" varchar(64) null, "action" varchar(64) not null, "entity_type" varchar(64) not null, "entity_id" varchar(255) not null, "before" text null, "after" text null);`);
    this.addSql(`create index "member_audit_entity_type_entity_id_index" on "member_audit" ("entity_type", "entity_id");`);
    this.addSql(`create index "member_audit_actor_learner_id_index" on "member_audit" ("actor_learner_id");`);

    this.addSql(`alter table "enrolment" add column "language" varchar(2) null, add column "prerequisites_declared" boolean not null default false, add column "status_reason_code" varchar(32) null, add column "status_note" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "member_audit" cascade;`);

    this.addSql(`alter table "enrolment" drop column "language", drop column "prerequisites_declared", drop column "status_reason_code", drop column "status_note";`);
  }

}
