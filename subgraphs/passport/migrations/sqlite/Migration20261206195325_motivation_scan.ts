import { Migration } from '@mikro-orm/migrations';

export class Migration20261206195325_motivation_scan extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`motivation_scan\` (\`learner_id\` text not null, \`questionnaire_version\` integer not null, \`answers\` text not null, \`revision\` integer not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`learner_id\`));`);
  }

}
