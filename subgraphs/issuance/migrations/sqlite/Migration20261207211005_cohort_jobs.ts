import { Migration } from '@mikro-orm/migrations';

export class Migration20261207211005_cohort_jobs extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`cohort_job\` (\`id\` text not null, \`offering_id\` text not null, \`member_id\` text not null, \`kind\` text not null, \`status\` text not null, \`total\` integer null, \`issued\` integer not null, \`already_issued\` integer not null, \`refused\` integer not null, \`problems\` text not null, \`requested_by\` text not null, \`started_at\` datetime not null, \`finished_at\` datetime null, \`failure\` text null, \`cursor\` text null, \`lease_owner\` text null, \`lease_expires_at\` datetime null, \`running_key\` text null, \`attempts\` integer not null, \`resumed_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`cohort_job_status_index\` on \`cohort_job\` (\`status\`);`);
    this.addSql(`create index \`cohort_job_finished_at_index\` on \`cohort_job\` (\`finished_at\`);`);
    this.addSql(`create unique index \`cohort_job_running_key_unique\` on \`cohort_job\` (\`running_key\`);`);
  }

}
