module.exports = { ...require('../../jest.preset.cjs'), displayName: 'taskmanager', rootDir: __dirname };
