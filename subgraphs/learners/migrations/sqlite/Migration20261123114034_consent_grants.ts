import { Migration } from '@mikro-orm/migrations';

export class Migration20261123114034_consent_grants extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`consent_grant\` (\`id\` text not null, \`learner_id\` text not null, \`grantee_kind\` text not null, \`grantee_member_id\` text null, \`verifier_name\` text null, \`verifier_id\` text null, \`purpose\` text not null, \`purpose_description\` text null, \`scope_list\` text not null, \`source_member_list\` text null, \`granted_at\` datetime not null, \`expires_at\` datetime not null, \`revoked_at\` datetime null, \`revocation_reason\` text null, constraint \`consent_grant_learner_id_foreign\` foreign key(\`learner_id\`) references \`learner\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`consent_grant_learner_id_index\` on \`consent_grant\` (\`learner_id\`);`);
    this.addSql(`create index \`consent_grant_learner_id_grantee_member_id_index\` on \`consent_grant\` (\`learner_id\`, \`grantee_member_id\`);`);
  }

}
