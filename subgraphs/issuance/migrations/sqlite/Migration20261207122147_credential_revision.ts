import { Migration } from '@mikro-orm/migrations';

export class Migration20261207122147_credential_revision extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index \`issued_credential_achievement_id_kind_unique\`;`);

    this.addSql(`alter table \`issued_credential\` add column \`achievement_revision\` integer not null default 1;`);
    this.addSql(`create unique index \`issued_credential_achievement_id_kind_achievement_revision_unique\` on \`issued_credential\` (\`achievement_id\`, \`kind\`, \`achievement_revision\`);`);
  }

}
