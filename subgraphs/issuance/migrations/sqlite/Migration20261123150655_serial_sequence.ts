import { Migration } from '@mikro-orm/migrations';

export class Migration20261123150655_serial_sequence extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`issuance_sequence\` (\`name\` text not null, \`next_value\` integer not null, primary key (\`name\`));`);
    // Serials continue after the highest one issued before this migration (1 on a new database).
    this.addSql(`insert into \`issuance_sequence\` (\`name\`, \`next_value\`) select 'credential_serial', coalesce(max(\`serial\`), 0) + 1 from \`issued_credential\`;`);
  }

}
