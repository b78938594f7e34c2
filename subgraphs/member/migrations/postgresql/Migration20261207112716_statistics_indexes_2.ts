import { Migration } from '@mikro-orm/migrations';

export class Migration20261207112716_statistics_indexes_2 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "enrolment_enrolled_at_index" on "enrolment" ("enrolled_at");`);
    this.addSql(`create index "enrolment_status_status_changed_at_index" on "enrolment" ("status", "status_changed_at");`);
    this.addSql(`create index "enrolment_account_id_status_index" on "enrolment" ("account_id", "status");`);

    this.addSql(`create index "achievement_passed_assessed_on_ects_awarded_index" on "achievement" ("passed", "assessed_on", "ects_awarded");`);
    this.addSql(`create index "achievement_account_id_passed_ects_awarded_index" on "achievement" ("account_id", "passed", "ects_awarded");`);

    this.addSql(`create index "acquired_skill_skill_uri_index" on "acquired_skill" ("skill_uri");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "achievement_passed_assessed_on_ects_awarded_index";`);
    this.addSql(`drop index "achievement_account_id_passed_ects_awarded_index";`);

    this.addSql(`drop index "acquired_skill_skill_uri_index";`);

    this.addSql(`drop index "enrolment_enrolled_at_index";`);
    this.addSql(`drop index "enrolment_status_status_changed_at_index";`);
    this.addSql(`drop index "enrolment_account_id_status_index";`);
  }

}
