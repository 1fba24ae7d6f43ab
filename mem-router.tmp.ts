import { loadSeedFile, defaultSeedPath } from './src/main/registry';
import { planEpisode } from './src/main/router';
const seed = loadSeedFile(defaultSeedPath());
const kinds = ['establishing','dialogue','action','closeup','stylized','insert'] as const;
const shots = Array.from({length:1000},(_,i)=>({id:`s${i}`,kind:kinds[i%6]!,duration:+(1+(i%1000)*0.0179).toFixed(4),audio:i%3===0,reference:i%4===0?'r.png':undefined,engine:'auto'}));
const engines = [...seed.engines, ...seed.engines.slice(0,2).map(e=>({...e,id:e.id+'-b'}))];
for (const mode of ['preview','final'] as const) {
 const ctx = { engines, health:new Map(), now:Date.now(), mode, output:{resolution:'720p' as const,aspect:'16:9' as const}, remainingBudgetMicros: 50_000_000, hasKey:()=>true, hasAdapter:()=>true, chains:seed.chains };
 const keep=[]; for (let r=0;r<3;r++){ (globalThis as any).gc(); const before=process.memoryUsage().heapUsed; const t=performance.now(); keep.push(planEpisode({shots},ctx)); const dt=performance.now()-t; (globalThis as any).gc(); console.log(mode, dt.toFixed(1),'ms', ((process.memoryUsage().heapUsed-before)/1e6).toFixed(2),'MB retained'); }
}
