import { Migration } from '@mikro-orm/migrations';

export class Migration20261207100351_offering_withdrawal extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`learning_opportunity\` add column \`withdrawn_at\` datetime null;`);
    this.addSql(`alter table \`learning_opportunity\` add column \`withdrawal_reason\` text null;`);
  }

}
