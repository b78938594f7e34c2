import { Migration } from '@mikro-orm/migrations';

export class Migration20261207091831_home_member extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`learner_account\` add column \`home_member_id\` text null;`);
  }

}
