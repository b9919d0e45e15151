// Lint for the whole workspace. The module-boundary rule is what keeps the architecture honest:
// the protocol depends on nothing, dataflow only on the protocol, apps only on libs and never on
// each other (see README "Repository layout").
import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.runnel', '**/tmp', '**/*.cjs', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:dataflow', onlyDependOnLibsWithTags: ['type:protocol'] },
            { sourceTag: 'type:service-kit', onlyDependOnLibsWithTags: ['type:protocol'] },
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:protocol', 'type:dataflow'] },
            { sourceTag: 'type:examples', onlyDependOnLibsWithTags: ['type:dataflow'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:protocol', 'type:dataflow', 'type:service-kit'],
            },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:protocol', 'type:dataflow', 'type:client'] },
            { sourceTag: 'type:web', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:protocol', 'type:dataflow', 'type:client', 'type:tools'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
