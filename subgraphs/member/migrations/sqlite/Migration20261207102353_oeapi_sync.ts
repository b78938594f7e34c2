import { Migration } from '@mikro-orm/migrations';

export class Migration20261207102353_oeapi_sync extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`sync_checkpoint\` (\`id\` integer not null primary key autoincrement, \`run_id\` text not null, \`resource\` text not null, \`page\` integer not null, \`done\` integer not null default false, \`counts\` text not null, \`at\` datetime not null);`);
    this.addSql(`create index \`sync_checkpoint_run_id_index\` on \`sync_checkpoint\` (\`run_id\`);`);

    this.addSql(`create table \`sync_held\` (\`id\` integer not null primary key autoincrement, \`kind\` text not null, \`source_id\` text not null, \`parent_id\` text null, \`hub_id\` text null, \`problems\` text not null, \`run_id\` text not null, \`first_held_at\` datetime not null, \`last_held_at\` datetime not null);`);
    this.addSql(`create unique index \`sync_held_kind_source_id_unique\` on \`sync_held\` (\`kind\`, \`source_id\`);`);

    this.addSql(`create table \`sync_lock\` (\`name\` text not null, \`run_id\` text not null, \`host\` text not null, \`pid\` integer not null, \`acquired_at\` datetime not null, \`heartbeat_at\` datetime not null, \`version\` integer not null default 0, primary key (\`name\`));`);

    this.addSql(`create table \`sync_record\` (\`id\` integer not null primary key autoincrement, \`kind\` text not null, \`source_id\` text not null, \`hub_id\` text null, \`parent_id\` text null, \`facts\` text null, \`last_seen_run\` text not null, \`seen_at\` datetime not null, \`missing_since\` datetime null, \`withdrawn_by_sync\` integer not null default false, \`associations_complete\` integer not null default false);`);
    this.addSql(`create index \`sync_record_kind_parent_id_index\` on \`sync_record\` (\`kind\`, \`parent_id\`);`);
    this.addSql(`create unique index \`sync_record_kind_source_id_unique\` on \`sync_record\` (\`kind\`, \`source_id\`);`);

    this.addSql(`create table \`sync_run\` (\`id\` text not null, \`source\` text not null, \`member_id\` text not null, \`mode\` text not null, \`status\` text not null, \`started_at\` datetime not null, \`finished_at\` datetime null, \`resource\` text null, \`pages\` integer not null default 0, \`watermark\` datetime null, \`server_started_at\` datetime null, \`next_watermark\` datetime null, \`config_digest\` text not null, \`counts\` text not null, \`held_back\` integer not null default 0, \`error\` text null, \`resumed_from\` text null, \`resumed_by\` text null, \`host\` text not null, \`pid\` integer not null, primary key (\`id\`));`);
    this.addSql(`create index \`sync_run_source_started_at_index\` on \`sync_run\` (\`source\`, \`started_at\`);`);
  }

}
