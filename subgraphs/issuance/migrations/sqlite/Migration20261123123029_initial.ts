import { Migration } from '@mikro-orm/migrations';

export class Migration20261123123029_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`idempotency_record\` (\`id\` integer not null primary key autoincrement, \`subject\` text not null, \`key\` text not null, \`fingerprint\` text not null, \`credential_serial\` integer not null, \`created_at\` datetime not null);`);
    this.addSql(`create unique index \`idempotency_record_subject_key_unique\` on \`idempotency_record\` (\`subject\`, \`key\`);`);

    this.addSql(`create table \`issued_credential\` (\`serial\` integer not null primary key autoincrement, \`id\` text not null, \`achievement_id\` text not null, \`kind\` text not null, \`learner_id\` text not null, \`member_id\` text not null, \`offering_id\` text not null, \`title\` text not null, \`issuer_kid\` text not null, \`issued_at\` datetime not null, \`valid_until\` datetime null, \`jwt\` text not null, \`issued_by\` text not null, \`revoked_at\` datetime null, \`revoked_by\` text null, \`revocation_reason\` text null, \`suspended_at\` datetime null, \`suspended_by\` text null, \`suspension_reason\` text null);`);
    this.addSql(`create index \`issued_credential_learner_id_index\` on \`issued_credential\` (\`learner_id\`);`);
    this.addSql(`create index \`issued_credential_offering_id_index\` on \`issued_credential\` (\`offering_id\`);`);
    this.addSql(`create unique index \`issued_credential_id_unique\` on \`issued_credential\` (\`id\`);`);
    this.addSql(`create unique index \`issued_credential_achievement_id_kind_unique\` on \`issued_credential\` (\`achievement_id\`, \`kind\`);`);

    this.addSql(`create table \`status_event\` (\`id\` integer not null primary key autoincrement, \`credential_serial\` integer not null, \`action\` text not null, \`actor\` text not null, \`reason\` text not null, \`at\` datetime not null);`);
    this.addSql(`create index \`status_event_credential_serial_index\` on \`status_event\` (\`credential_serial\`);`);

    this.addSql(`create table \`trusted_issuer\` (\`id\` text not null, \`name\` text not null, \`role\` text not null, \`member_id\` text null, \`valid_from\` datetime not null, \`valid_until\` datetime null, primary key (\`id\`));`);

    this.addSql(`create table \`trusted_issuer_key\` (\`kid\` text not null, \`issuer_id\` text not null, \`public_jwk\` text not null, \`valid_from\` datetime not null, \`valid_until\` datetime null, primary key (\`kid\`));`);
    this.addSql(`create index \`trusted_issuer_key_issuer_id_index\` on \`trusted_issuer_key\` (\`issuer_id\`);`);
  }

}
