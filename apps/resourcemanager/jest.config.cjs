module.exports = { ...require('../../jest.preset.cjs'), displayName: 'resourcemanager', rootDir: __dirname };
