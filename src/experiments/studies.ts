/**
 * The studies a reproduction covers: the paper and its neighbours (shared/docs/neighbours.md). Each recipe
 * belongs to one study (Recipe.study, default 'paper'); the report has one part per study, and
 * `reproduce --only` takes study names as well as recipe names.
 */
export interface Study {
  name: string;
  title: string;
  /** the source and the question, in words */
  description: string;
}

export const STUDIES = [
  {
    name: 'paper',
    title: 'The paper: deep linear networks in the large learning-rate phase',
    description: 'Huang, Du, Xu, Liu (2020), extending the catapult mechanism of Lewkowycz et al. (2020) to the logistic loss: lazy, catapult and divergent phases, and flatter minima on the non-separable part of the data.',
  },
  {
    name: 'lr-policies',
    title: 'Learning-rate policies (LRBench)',
    description: 'Wu, Liu et al. (2019): learning-rate functions and their metrics, read against the catapult boundaries of the paper.',
  },
  {
    name: 'diagonal',
    title: 'Diagonal linear networks: kernel vs rich',
    description: 'Moroshko, Gunasekar, Woodworth, Lee, Srebro, Soudry (2020): exponential loss on diagonal linear networks; the initialization scale against the training accuracy decides between the kernel (ℓ2) and the rich (ℓ1) regime.',
  },
  {
    name: 'incremental',
    title: 'Incremental learning and depth',
    description: 'Gissin, Shalev-Shwartz, Daniely (2020): deeper models learn the components of the solution one at a time, and depth sharpens the effect.',
  },
  {
    name: 'relu',
    title: 'Nonlinear networks: ReLU MLPs, normalization and weight decay',
    description: 'Poggio & Liao (2020/21) on norm and margin of deep ReLU networks under the square loss; the catapult (Lewkowycz et al. 2020) and the edge of stability (Cohen et al. 2021) beyond linear networks.',
  },
  {
    name: 'rl',
    title: 'Implicit under-parameterization in value-based RL',
    description: 'Kumar, Agarwal, Ghosh, Levine (2021): bootstrapped targets lower the effective rank (srank) of the learned features.',
  },
] as const satisfies readonly Study[];

export type StudyName = (typeof STUDIES)[number]['name'];

export function studyByName(name: string): Study | undefined {
  return STUDIES.find((s) => s.name === name);
}
