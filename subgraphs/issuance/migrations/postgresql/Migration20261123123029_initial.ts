import { Migration } from '@mikro-orm/migrations';

export class Migration20261123123029_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "idempotency_record" ("id" serial primary key, "subject" varchar(255) not null, "key" varchar(255) not null, "fingerprint" varchar(64) not null, "credential_serial" int not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_subject_key_unique" unique ("subject", "key");`);

    this.addSql(`create table "issued_credential" ("serial" serial primary key, "id" varchar(64) not null, "achievement_id" varchar(255) not null, "kind" varchar(32) not null, "learner_id" varchar(64) not null, "member_id" varchar(253) not null, "offering_id" varchar(255) not null, "title" varchar(500) not null, "issuer_kid" varchar(128) not null, "issued_at" timestamptz not null, "valid_until" timestamptz null, "jwt" text not null, "issued_by" varchar(255) not null, "revoked_at" timestamptz null, "revoked_by" varchar(255) null, "revocation_reason" varchar(500) null, "suspended_at" timestamptz null, "suspended_by" varchar(255) null, "suspension_reason" varchar(500) null);`);
    this.addSql(`create index "issued_credential_learner_id_index" on "issued_credential" ("learner_id");`);
    this.addSql(`create index "issued_credential_offering_id_index" on "issued_credential" ("offering_id");`);
    this.addSql(`alter table "issued_credential" add constraint "issued_credential_id_unique" unique ("id");`);
    this.addSql(`alter table "issued_credential" add constraint "issued_credential_achievement_id_kind_unique" unique ("achievement_id", "kind");`);

    this.addSql(`create table "status_event" ("id" serial primary key, "credential_serial" int not null, "action" varchar(16) not null, "actor" varchar(255) not null, "reason" varchar(500) not null, "at" timestamptz not null);`);
    this.addSql(`create index "status_event_credential_serial_index" on "status_event" ("credential_serial");`);

    this.addSql(`create table "trusted_issuer" ("id" varchar(255) not null, "name" varchar(255) not null, "role" varchar(16) not null, "member_id" varchar(253) null, "valid_from" timestamptz not null, "valid_until" timestamptz null, constraint "trusted_issuer_pkey" primary key ("id"));`);

    this.addSql(`create table "trusted_issuer_key" ("kid" varchar(128) not null, "issuer_id" varchar(255) not null, "public_jwk" text not null, "valid_from" timestamptz not null, "valid_until" timestamptz null, constraint "trusted_issuer_key_pkey" primary key ("kid"));`);
    this.addSql(`create index "trusted_issuer_key_issuer_id_index" on "trusted_issuer_key" ("issuer_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_record" cascade;`);

    this.addSql(`drop table if exists "issued_credential" cascade;`);

    this.addSql(`drop table if exists "status_event" cascade;`);

    this.addSql(`drop table if exists "trusted_issuer" cascade;`);

    this.addSql(`drop table if exists "trusted_issuer_key" cascade;`);
  }

}
