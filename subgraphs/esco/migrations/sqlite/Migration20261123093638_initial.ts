import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093638_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`esco_broader_relation\` (\`narrower_uri\` text not null, \`broader_uri\` text not null, primary key (\`narrower_uri\`, \`broader_uri\`));`);
    this.addSql(`create index \`esco_broader_relation_broader_uri_index\` on \`esco_broader_relation\` (\`broader_uri\`);`);

    this.addSql(`create table \`esco_dataset\` (\`id\` text not null, \`version\` text not null, \`imported_at\` datetime null, primary key (\`id\`));`);

    this.addSql(`create table \`esco_occupation\` (\`uri\` text not null, \`code\` text null, \`isco_group\` text null, \`preferred_label\` text not null, \`alt_label_text\` text not null default '', \`description\` text null, \`sort_label\` text not null, \`search_alt_labels\` text not null default '', \`search_description\` text not null default '', primary key (\`uri\`));`);
    this.addSql(`create index \`esco_occupation_sort_label_index\` on \`esco_occupation\` (\`sort_label\`);`);

    this.addSql(`create table \`esco_occupation_skill\` (\`occupation_uri\` text not null, \`skill_uri\` text not null, \`relation_type\` text not null, primary key (\`occupation_uri\`, \`skill_uri\`));`);
    this.addSql(`create index \`esco_occupation_skill_skill_uri_index\` on \`esco_occupation_skill\` (\`skill_uri\`);`);

    this.addSql(`create table \`esco_skill\` (\`uri\` text not null, \`preferred_label\` text not null, \`alt_label_text\` text not null default '', \`description\` text null, \`skill_type\` text null, \`reuse_level\` text null, \`sort_label\` text not null, \`search_alt_labels\` text not null default '', \`search_description\` text not null default '', primary key (\`uri\`));`);
    this.addSql(`create index \`esco_skill_sort_label_index\` on \`esco_skill\` (\`sort_label\`);`);

    this.addSql(`create table \`esco_skill_collection\` (\`skill_uri\` text not null, \`collection\` text not null, primary key (\`skill_uri\`, \`collection\`));`);
    this.addSql(`create index \`esco_skill_collection_collection_index\` on \`esco_skill_collection\` (\`collection\`);`);

    this.addSql(`create table \`esco_skill_group\` (\`uri\` text not null, \`code\` text null, \`preferred_label\` text not null, \`description\` text null, \`sort_label\` text not null, primary key (\`uri\`));`);
    this.addSql(`create index \`esco_skill_group_sort_label_index\` on \`esco_skill_group\` (\`sort_label\`);`);

    this.addSql(`create table \`esco_skill_relation\` (\`skill_uri\` text not null, \`related_skill_uri\` text not null, \`relation_type\` text not null, primary key (\`skill_uri\`, \`related_skill_uri\`));`);
  }

}
