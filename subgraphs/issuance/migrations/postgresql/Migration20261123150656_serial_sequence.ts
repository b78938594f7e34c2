import { Migration } from '@mikro-orm/migrations';

export class Migration20261123150656_serial_sequence extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "issuance_sequence" ("name" varchar(64) not null, "next_value" int not null, constraint "issuance_sequence_pkey" primary key ("name"));`);
    // Serials continue after the highest one issued before this migration (1 on a new database).
    this.addSql(`insert into "issuance_sequence" ("name", "next_value") select 'credential_serial', coalesce(max("serial"), 0) + 1 from "issued_credential";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "issuance_sequence" cascade;`);
  }

}
