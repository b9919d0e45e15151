// Nest's console logger is noise in test output; errors still show.
require('@nestjs/common').Logger.overrideLogger(['error', 'fatal']);
