module.exports = { ...require('../../jest.preset.cjs'), displayName: 'dispatcher', rootDir: __dirname };
