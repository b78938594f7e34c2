import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093026_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`learner\` (\`id\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`learner_account_link\` (\`id\` integer not null primary key autoincrement, \`learner_id\` text not null, \`member_id\` text not null, \`account_id\` text not null, \`linked_at\` datetime not null, constraint \`learner_account_link_learner_id_foreign\` foreign key(\`learner_id\`) references \`learner\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`learner_account_link_learner_id_index\` on \`learner_account_link\` (\`learner_id\`);`);
    this.addSql(`create unique index \`learner_account_link_account_id_unique\` on \`learner_account_link\` (\`account_id\`);`);
    this.addSql(`create unique index \`learner_account_link_learner_id_member_id_unique\` on \`learner_account_link\` (\`learner_id\`, \`member_id\`);`);
  }

}
