import { Migration } from '@mikro-orm/migrations';

export class Migration20261206144029_pathways extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`pathway\` (\`id\` text not null, \`owner_member_id\` text null, \`name\` text not null, \`description\` text null, \`active\` integer not null, \`version\` integer not null, \`ects_min\` double not null, \`ects_max\` double null, \`eqf_level\` integer null, \`min_members\` integer not null, \`sdg_list\` text null, \`member_list\` text null, \`kind_list\` text null, \`valid_from\` text null, \`valid_until\` text null, \`requirements\` text not null, \`created_at\` datetime not null, \`created_by\` text not null, \`updated_at\` datetime not null, \`updated_by\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`pathway_owner_member_id_active_index\` on \`pathway\` (\`owner_member_id\`, \`active\`);`);

    this.addSql(`create table \`pathway_follow\` (\`id\` integer not null primary key autoincrement, \`learner_id\` text not null, \`pathway_id\` text not null, \`followed_at\` datetime not null);`);
    this.addSql(`create unique index \`pathway_follow_learner_id_pathway_id_unique\` on \`pathway_follow\` (\`learner_id\`, \`pathway_id\`);`);
  }

}
