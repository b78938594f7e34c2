import { runService } from '../lib/entry.js';
import { learnersService } from '../subgraphs/learners/service.js';
import { learnersDemoHooks } from './demo-services.js';

// The learners subgraph with the demo learners (SEED_DEMO=true): docker-compose.yml's demo register.
runService(learnersService(learnersDemoHooks));
