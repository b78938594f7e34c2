import { Migration } from '@mikro-orm/migrations';

export class Migration20261206194149_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "passport_audit" ("id" serial primary key, "at" timestamptz not null, "actor_subject" varchar(255) not null, "actor_roles" varchar(255) not null, "actor_member_id" varchar(253) null, "actor_learner_id" varchar(64) null, "action" varchar(64) not null, "entity_type" varchar(64) not null, "entity_id" varchar(255) not null, "before" text null, "after" text null);`);
    this.addSql(`create index "passport_audit_entity_type_entity_id_index" on "passport_audit" ("entity_type", "entity_id");`);
    this.addSql(`create index "passport_audit_actor_learner_id_index" on "passport_audit" ("actor_learner_id");`);

    this.addSql(`create table "passport_credential" ("id" varchar(36) not null, "learner_id" varchar(64) not null, "format" varchar(16) not null, "document" text not null, "digest" varchar(64) not null, "credential_id" varchar(500) null, "issuer_id" varchar(500) null, "title" varchar(500) not null, "awarding_body" varchar(500) not null, "ects" double precision not null, "eqf_level" int null, "gained_on" varchar(10) not null, "skill_list" text not null, "added_at" timestamptz not null, constraint "passport_credential_pkey" primary key ("id"));`);
    this.addSql(`create index "passport_credential_learner_id_added_at_index" on "passport_credential" ("learner_id", "added_at");`);
    this.addSql(`alter table "passport_credential" add constraint "passport_credential_learner_id_digest_unique" unique ("learner_id", "digest");`);

    this.addSql(`create table "passport_idempotency" ("id" serial primary key, "caller" varchar(64) not null, "subject" varchar(255) not null, "key" varchar(255) not null, "operation" varchar(64) not null, "fingerprint" varchar(64) not null, "result_id" varchar(255) not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "passport_idempotency" add constraint "passport_idempotency_caller_key_unique" unique ("caller", "key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "passport_audit" cascade;`);

    this.addSql(`drop table if exists "passport_credential" cascade;`);

    this.addSql(`drop table if exists "passport_idempotency" cascade;`);
  }

}
