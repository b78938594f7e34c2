import { Migration } from '@mikro-orm/migrations';

export class Migration20261205133929_verifiers_access_log extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_event" ("seq" serial primary key, "at" timestamptz not null, "subject" varchar(255) not null, "roles" varchar(200) not null, "member_id" varchar(253) null, "verifier_id" varchar(500) null, "learner_id" varchar(64) null, "action" varchar(64) not null, "target" varchar(500) not null, "before" text null, "after" text null);`);
    this.addSql(`create index "audit_event_learner_id_index" on "audit_event" ("learner_id");`);

    this.addSql(`create table "access_event" ("seq" serial primary key, "learner_id" varchar(64) not null, "at" timestamptz not null, "accessor_kind" varchar(16) not null, "accessor_id" varchar(500) not null, "accessor_name" varchar(200) not null, "subject" varchar(255) not null, "grant_id" varchar(36) not null, "purpose" varchar(32) not null, "scope_list" varchar(64) not null, "source_member_list" text null);`);
    this.addSql(`create index "access_event_learner_id_seq_index" on "access_event" ("learner_id", "seq");`);

    this.addSql(`create table "registered_verifier" ("id" varchar(500) not null, "name" varchar(200) not null, "registered_at" timestamptz not null, "registered_by" varchar(255) not null, "withdrawn_at" timestamptz null, "withdrawal_reason" varchar(500) null, constraint "registered_verifier_pkey" primary key ("id"));`);

    this.addSql(`alter table "access_event" add constraint "access_event_learner_id_foreign" foreign key ("learner_id") references "learner" ("id") on update cascade on delete cascade;`);

    this.addSql(`create index "consent_grant_verifier_id_index" on "consent_grant" ("verifier_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "access_event" cascade;`);

    this.addSql(`drop table if exists "registered_verifier" cascade;`);

    this.addSql(`drop index "consent_grant_verifier_id_index";`);
  }

}
