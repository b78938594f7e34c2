import { Migration } from '@mikro-orm/migrations';

export class Migration20261207100351_offering_withdrawal extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "learning_opportunity" add column "withdrawn_at" timestamptz null, add column "withdrawal_reason" varchar(500) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "learning_opportunity" drop column "withdrawn_at", drop column "withdrawal_reason";`);
  }

}
