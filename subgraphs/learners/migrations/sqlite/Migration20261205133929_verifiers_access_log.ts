import { Migration } from '@mikro-orm/migrations';

export class Migration20261205133929_verifiers_access_log extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_event\` (\`seq\` integer not null primary key autoincrement, \`at\` datetime not null, \`subject\` text not null, \`roles\` text not null, \`member_id\` text null, \`verifier_id\` text null, \`learner_id\` text null, \`action\` text not null, \`target\` text not null, \`before\` text null, \`after\` text null);`);
    this.addSql(`create index \`audit_event_learner_id_index\` on \`audit_event\` (\`learner_id\`);`);

    this.addSql(`create table \`access_event\` (\`seq\` integer not null primary key autoincrement, \`learner_id\` text not null, \`at\` datetime not null, \`accessor_kind\` text not null, \`accessor_id\` text not null, \`accessor_name\` text not null, \`subject\` text not null, \`grant_id\` text not null, \`purpose\` text not null, \`scope_list\` text not null, \`source_member_list\` text null, constraint \`access_event_learner_id_foreign\` foreign key(\`learner_id\`) references \`learner\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`access_event_learner_id_index\` on \`access_event\` (\`learner_id\`);`);
    this.addSql(`create index \`access_event_learner_id_seq_index\` on \`access_event\` (\`learner_id\`, \`seq\`);`);

    this.addSql(`create table \`registered_verifier\` (\`id\` text not null, \`name\` text not null, \`registered_at\` datetime not null, \`registered_by\` text not null, \`withdrawn_at\` datetime null, \`withdrawal_reason\` text null, primary key (\`id\`));`);

    this.addSql(`create index \`consent_grant_verifier_id_index\` on \`consent_grant\` (\`verifier_id\`);`);
  }

}
