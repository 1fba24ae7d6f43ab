export { healthScore, prepareEngines, qualityFor, type EffectiveQuality, type RouterContext, type Selection, type ShotAsk } from './context';
export { formatClockTime } from './explain';
export { firstRejection, HARD_FILTERS, judgeContext, type EngineFacts, type FilterName, type FilterVerdict, type HardFilter } from './filters';
export { audioFlag, DURATION_SLACK_SECONDS, generatedSeconds, renderResolution } from './fit';
export { engineExpectedLatencyMs } from './latency';
export { planEpisode, planShot, type Candidate, type EpisodePlan, type Rejection, type ShotPlan } from './plan';
export { estimateAttempt, priceFor, type AttemptEstimate, type AttemptShape } from './pricing';
export { SCORE_WEIGHTS, scoreCandidates, type ScoreWeights } from './score';
