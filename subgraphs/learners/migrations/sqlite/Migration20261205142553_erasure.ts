import { Migration } from '@mikro-orm/migrations';

export class Migration20261205142553_erasure extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`erasure_request\` (\`id\` text not null, \`learner_hash\` text not null, \`requested_at\` datetime not null, \`revoke_credentials\` integer not null, \`register_counts\` text not null, \`completed_at\` datetime null, \`caller_scope\` text null, \`idempotency_key\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`erasure_request_learner_hash_index\` on \`erasure_request\` (\`learner_hash\`);`);
    this.addSql(`create unique index \`erasure_request_caller_scope_idempotency_key_unique\` on \`erasure_request\` (\`caller_scope\`, \`idempotency_key\`);`);

    this.addSql(`create table \`erasure_task\` (\`id\` integer not null primary key autoincrement, \`erasure_id\` text not null, \`target\` text not null, \`audience\` text not null, \`learner_id\` text null, \`revoke_credentials\` integer not null, \`status\` text not null, \`attempts\` integer not null, \`next_attempt_at\` datetime not null, \`last_attempt_at\` datetime null, \`last_error\` text null, \`counts\` text null, \`done_at\` datetime null);`);
    this.addSql(`create index \`erasure_task_status_next_attempt_at_index\` on \`erasure_task\` (\`status\`, \`next_attempt_at\`);`);
    this.addSql(`create index \`erasure_task_erasure_id_index\` on \`erasure_task\` (\`erasure_id\`);`);
    this.addSql(`create unique index \`erasure_task_erasure_id_target_unique\` on \`erasure_task\` (\`erasure_id\`, \`target\`);`);
  }

}
