module.exports = { ...require('../../jest.preset.cjs'), displayName: 'dataflow', rootDir: __dirname };
