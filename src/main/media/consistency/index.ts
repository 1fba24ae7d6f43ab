/** Episode-level consistency: colour grading outliers (pure) and character appearance (Gemini). */
export { episodeColour, findColourOutliers, type ColourRuleOptions, type EpisodeColour } from './colour';
export { characterGroups, checkCharacterConsistency, estimateCharacterCheckMaxCostMicros, type CharacterCheckInput, type CharacterCheckResult, type CharacterComparison, type CharacterShot, type CharacterSpec } from './characters';
export type { ClipColourStats, ConsistencyAction, ConsistencyFlag, ShotColour } from './types';
