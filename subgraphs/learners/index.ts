import { runService } from '../../lib/entry.js';
import { learnersService } from './service.js';

// The alliance's learner register: no demo learners (`npm run learners:demo` adds them).
runService(learnersService());
