import { Migration } from '@mikro-orm/migrations';

export class Migration20261207093743_corrections_applied extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`correction_applied\` (\`id\` integer not null primary key autoincrement, \`achievement_id\` text not null, \`revision\` integer not null, \`corrected_at\` datetime not null, \`applied_at\` datetime not null, \`suspended\` integer not null);`);
    this.addSql(`create index \`correction_applied_corrected_at_index\` on \`correction_applied\` (\`corrected_at\`);`);
    this.addSql(`create unique index \`correction_applied_achievement_id_revision_unique\` on \`correction_applied\` (\`achievement_id\`, \`revision\`);`);
  }

}
