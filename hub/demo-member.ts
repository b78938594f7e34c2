import { runService } from '../lib/entry.js';
import { memberService } from '../subgraphs/member/service.js';
import { memberDemoHooks } from './demo-services.js';

// The member subgraph with the alliance demo data (SEED_DEMO=true): docker-compose.yml's demo members.
runService(memberService(memberDemoHooks));
