import { Migration } from '@mikro-orm/migrations';

export class Migration20261204214148_wallets extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "credential_offer" ("id" varchar(64) not null, "learner_id" varchar(64) not null, "created_by" varchar(255) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "pre_authorized_code" varchar(128) null, "tx_code" varchar(16) null, "tx_code_attempts" int not null, "redeemed_at" timestamptz null, "access_token_hash" varchar(64) null, "access_token_expires_at" timestamptz null, "caller_scope" varchar(64) null, "idempotency_key" varchar(255) null, "fingerprint" varchar(64) null, constraint "credential_offer_pkey" primary key ("id"));`);
    this.addSql(`create index "credential_offer_learner_id_index" on "credential_offer" ("learner_id");`);
    this.addSql(`alter table "credential_offer" add constraint "credential_offer_pre_authorized_code_unique" unique ("pre_authorized_code");`);
    this.addSql(`alter table "credential_offer" add constraint "credential_offer_access_token_hash_unique" unique ("access_token_hash");`);
    this.addSql(`alter table "credential_offer" add constraint "credential_offer_caller_scope_idempotency_key_unique" unique ("caller_scope", "idempotency_key");`);

    this.addSql(`create table "credential_offer_item" ("id" serial primary key, "offer_id" varchar(64) not null, "identifier" varchar(64) not null, "achievement_id" varchar(255) not null, "kind" varchar(32) not null, "credential_serial" int null, "transaction_id" varchar(64) null, "holder" text null, "delivered_at" timestamptz null);`);
    this.addSql(`create index "credential_offer_item_offer_id_index" on "credential_offer_item" ("offer_id");`);
    this.addSql(`alter table "credential_offer_item" add constraint "credential_offer_item_identifier_unique" unique ("identifier");`);
    this.addSql(`alter table "credential_offer_item" add constraint "credential_offer_item_transaction_id_unique" unique ("transaction_id");`);

    this.addSql(`create table "presentation_request" ("id" varchar(64) not null, "verifier_id" varchar(500) not null, "created_by" varchar(255) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "nonce" varchar(64) not null, "state" varchar(64) not null, "query" text not null, "purpose" varchar(500) null, "status" varchar(16) not null, "result" text null, "result_jwt" text null, "answered_at" timestamptz null, "refused_attempts" int not null, "caller_scope" varchar(64) null, "idempotency_key" varchar(255) null, "fingerprint" varchar(64) null, constraint "presentation_request_pkey" primary key ("id"));`);
    this.addSql(`create index "presentation_request_verifier_id_index" on "presentation_request" ("verifier_id");`);
    this.addSql(`alter table "presentation_request" add constraint "presentation_request_nonce_unique" unique ("nonce");`);
    this.addSql(`alter table "presentation_request" add constraint "presentation_request_caller_scope_idempotency_key_unique" unique ("caller_scope", "idempotency_key");`);

    this.addSql(`create table "wallet_nonce" ("nonce" varchar(64) not null, "expires_at" timestamptz not null, constraint "wallet_nonce_pkey" primary key ("nonce"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "credential_offer" cascade;`);

    this.addSql(`drop table if exists "credential_offer_item" cascade;`);

    this.addSql(`drop table if exists "presentation_request" cascade;`);

    this.addSql(`drop table if exists "wallet_nonce" cascade;`);
  }

}
