import { Migration } from '@mikro-orm/migrations';

export class Migration20261204212630_jades_seal extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "jades_seal" ("credential_serial" serial primary key, "kid" varchar(128) not null, "document" text not null, "sealed_at" timestamptz not null);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "jades_seal" cascade;`);
  }

}
