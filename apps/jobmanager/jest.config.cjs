module.exports = { ...require('../../jest.preset.cjs'), displayName: 'jobmanager', rootDir: __dirname };
