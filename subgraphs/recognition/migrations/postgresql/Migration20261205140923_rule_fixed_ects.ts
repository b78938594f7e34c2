import { Migration } from '@mikro-orm/migrations';

export class Migration20261205140923_rule_fixed_ects extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "recognition_rule" add column "fixed_ects" double precision null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "recognition_rule" drop column "fixed_ects";`);
  }

}
