import { Migration } from '@mikro-orm/migrations';

export class Migration20261207093428_achievement_corrections extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`achievement_correction\` (\`id\` integer not null primary key autoincrement, \`achievement_id\` text not null, \`revision\` integer not null, \`corrected_at\` datetime not null, \`corrected_by\` text not null);`);
    this.addSql(`create index \`achievement_correction_achievement_id_index\` on \`achievement_correction\` (\`achievement_id\`);`);
    this.addSql(`create index \`achievement_correction_corrected_at_index\` on \`achievement_correction\` (\`corrected_at\`);`);

    this.addSql(`alter table \`achievement\` add column \`revision\` integer not null default 1;`);
  }

}
