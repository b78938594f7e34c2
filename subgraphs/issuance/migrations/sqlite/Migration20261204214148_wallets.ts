import { Migration } from '@mikro-orm/migrations';

export class Migration20261204214148_wallets extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`credential_offer\` (\`id\` text not null, \`learner_id\` text not null, \`created_by\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`pre_authorized_code\` text null, \`tx_code\` text null, \`tx_code_attempts\` integer not null, \`redeemed_at\` datetime null, \`access_token_hash\` text null, \`access_token_expires_at\` datetime null, \`caller_scope\` text null, \`idempotency_key\` text null, \`fingerprint\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`credential_offer_learner_id_index\` on \`credential_offer\` (\`learner_id\`);`);
    this.addSql(`create unique index \`credential_offer_pre_authorized_code_unique\` on \`credential_offer\` (\`pre_authorized_code\`);`);
    this.addSql(`create unique index \`credential_offer_access_token_hash_unique\` on \`credential_offer\` (\`access_token_hash\`);`);
    this.addSql(`create unique index \`credential_offer_caller_scope_idempotency_key_unique\` on \`credential_offer\` (\`caller_scope\`, \`idempotency_key\`);`);

    this.addSql(`create table \`credential_offer_item\` (\`id\` integer not null primary key autoincrement, \`offer_id\` text not null, \`identifier\` text not null, \`achievement_id\` text not null, \`kind\` text not null, \`credential_serial\` integer null, \`transaction_id\` text null, \`holder\` text null, \`delivered_at\` datetime null);`);
    this.addSql(`create index \`credential_offer_item_offer_id_index\` on \`credential_offer_item\` (\`offer_id\`);`);
    this.addSql(`create unique index \`credential_offer_item_identifier_unique\` on \`credential_offer_item\` (\`identifier\`);`);
    this.addSql(`create unique index \`credential_offer_item_transaction_id_unique\` on \`credential_offer_item\` (\`transaction_id\`);`);

    this.addSql(`create table \`presentation_request\` (\`id\` text not null, \`verifier_id\` text not null, \`created_by\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`nonce\` text not null, \`state\` text not null, \`query\` text not null, \`purpose\` text null, \`status\` text not null, \`result\` text null, \`result_jwt\` text null, \`answered_at\` datetime null, \`refused_attempts\` integer not null, \`caller_scope\` text null, \`idempotency_key\` text null, \`fingerprint\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`presentation_request_verifier_id_index\` on \`presentation_request\` (\`verifier_id\`);`);
    this.addSql(`create unique index \`presentation_request_nonce_unique\` on \`presentation_request\` (\`nonce\`);`);
    this.addSql(`create unique index \`presentation_request_caller_scope_idempotency_key_unique\` on \`presentation_request\` (\`caller_scope\`, \`idempotency_key\`);`);

    this.addSql(`create table \`wallet_nonce\` (\`nonce\` text not null, \`expires_at\` datetime not null, primary key (\`nonce\`));`);
  }

}
