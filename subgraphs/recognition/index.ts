import { runService } from '../../lib/entry.js';
import { recognitionService } from './service.js';

// Recognition with no demo rules or pathways (the hub's demo seeds them through the service's hooks).
runService(recognitionService());
