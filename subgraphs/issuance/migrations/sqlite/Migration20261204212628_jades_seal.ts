import { Migration } from '@mikro-orm/migrations';

export class Migration20261204212628_jades_seal extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`jades_seal\` (\`credential_serial\` integer not null primary key autoincrement, \`kid\` text not null, \`document\` text not null, \`sealed_at\` datetime not null);`);

    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`idempotency_record__temp_alter\` (\`id\` integer not null primary key autoincrement, \`subject\` text not null, \`caller\` text not null, \`key\` text not null, \`fingerprint\` text not null, \`credential_serial\` integer not null, \`created_at\` datetime not null);`);
    this.addSql(`insert into \`idempotency_record__temp_alter\` select \`id\`, \`subject\`, \`caller\`, \`key\`, \`fingerprint\`, \`credential_serial\`, \`created_at\` from \`idempotency_record\`;`);
    this.addSql(`drop table \`idempotency_record\`;`);
    this.addSql(`alter table \`idempotency_record__temp_alter\` rename to \`idempotency_record\`;`);
    this.addSql(`create unique index \`idempotency_record_caller_key_unique\` on \`idempotency_record\` (\`caller\`, \`key\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}
