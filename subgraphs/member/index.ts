import { runService } from '../../lib/entry.js';
import { memberService } from './service.js';

// A member university's own deployment: no demo data (`npm run member:demo` adds it).
runService(memberService());
