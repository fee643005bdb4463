// `@concord/features/demo`: the emoji demo corpus alone (node:fs and paths only, no TF.js), for
// test support that must not load the featurisers, such as the dashboard's browser tests.
export {
  loadEmojiCorpus,
  emojiSourceItems,
  EMOJI_DATASOURCE_VERSION,
  type EmojiCorpusArgs,
  type EmojiRecord,
} from './emoji.ts';
export {
  emojiTestCorpus,
  spareEmojiImage,
  EMOJI_TEST_CATEGORIES,
  type EmojiSplit,
  type EmojiTestCorpusArgs,
  type EmojiTestItem,
} from './test-corpus.ts';
