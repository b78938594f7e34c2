import { AssessmentType, ProficiencyLevel } from '../subgraphs/member/enums.js';

/**
 * Offering templates in the alliance's style, with learning outcomes linked
 * to real ESCO v1.2 skills (all present in the embedded curated ESCO set; a
 * test checks that). The demo generator turns them into each member's
 * catalogue.
 */
const ESCO = 'http://data.europa.eu/esco/skill/';

export const DEMO_SKILLS = {
  thinkCritically: `${ESCO}7dd94ad3-13d6-43fe-8b94-51fcbf67ced9`,
  workInTeams: `${ESCO}60c78287-22eb-4103-9c8c-28deaa460da0`,
  thinkCreatively: `${ESCO}c624c6a3-b0ba-4a31-a296-0d433fe47e41`,
  solveProblems: `${ESCO}adc6dc11-3376-467b-96c5-9b0a21edc869`,
  urbanSustainability: `${ESCO}538f8bc6-a5bf-422b-8112-5ad3fe9de9a0`,
  urbanPlanningLaw: `${ESCO}1f632076-fd9b-4b18-a9a2-b59a59181d3e`,
  sdgs: `${ESCO}dda745dd-b8d6-45d8-8c74-e05495ce90f5`,
  promoteSustainability: `${ESCO}469e19ed-a0bd-445a-ae2d-4ba9430e296b`,
  sustainableTransport: `${ESCO}3edfa33c-c644-4a9a-acd1-e82039daa663`,
  greenSpaceStrategies: `${ESCO}5368a46a-54b5-4874-a06f-964d557c1cfb`,
  circularEconomy: `${ESCO}22c45bf7-e52b-475f-847b-c32a87f65a5d`,
  lifeCycleOfResources: `${ESCO}4e87c852-602a-4a0e-b8d8-20709ce14ac5`,
  wasteManagement: `${ESCO}40f65a56-ccbe-4601-9f32-1cc6cdd24f28`,
  wasteManagementProcesses: `${ESCO}114a79ef-1e62-475b-a862-954f5b4cca20`,
  environmentalLegislation: `${ESCO}6f5850ea-5785-4e2c-b062-743066fd5bdb`,
  environmentalCompliance: `${ESCO}089ee650-297e-4716-87d1-440743b70a0d`,
  energyPerformanceOfBuildings: `${ESCO}4e09e2d2-e317-47d2-bf5e-1d6c66be3efc`,
  energyEfficiency: `${ESCO}83fc0b2b-6cd2-46af-b1ff-d3fc83604c26`,
  sustainableBuildingMaterials: `${ESCO}dada8e80-2a53-41bf-9eac-f8c1f9971bed`,
  safeguardBiodiversity: `${ESCO}ae6d655d-bbce-4701-ba04-d687cfa90eda`,
  biodiversityActionPlans: `${ESCO}d168d98c-b7bb-4b9a-b1dc-eac008af4df3`,
  climateChangeImpact: `${ESCO}1565b401-1754-4b07-8f1a-eb5869e64d95`,
  carbonEmissionsReduction: `${ESCO}c8b4b02c-d9ce-4e24-ab43-5dd52c6dff48`,
  performDataAnalysis: `${ESCO}2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f`,
  smartCityFeatures: `${ESCO}d5bcc417-a004-4165-b7f1-ab739eadd2f4`,
  presentData: `${ESCO}c3e36d05-8ae8-447f-bb2b-6f9409f85389`,
  useGis: `${ESCO}440f64e5-e66c-45ee-bc29-53c14a2ad720`,
  gis: `${ESCO}377861af-f966-4c87-a2db-7e99904312b9`,
  mobilityAsAService: `${ESCO}a06a0d41-10fa-4ba7-a988-e8b5eba966fb`,
  transportationManagement: `${ESCO}7afd29d7-9c9f-4151-83f2-562b8c94a3af`,
  environmentalPolicy: `${ESCO}081d7679-5070-4777-bece-a28c49f15636`,
  developEnvironmentalPolicy: `${ESCO}507e2b21-1285-47e9-bf09-0db794df1bf0`,
  machineLearning: `${ESCO}3a2d5b45-56e4-4f5a-a55a-4a4a65afdc43`,
  utiliseMachineLearning: `${ESCO}8369c2d6-c100-4cf6-bd83-9668d8678433`,
  basicProgramming: `${ESCO}bf4d884f-c848-402a-b130-69c266b04164`,
  researchEthics: `${ESCO}833289fa-3646-4010-9d9e-93ba8c9ef2d8`,
  evaluateInformation: `${ESCO}db33c0f3-43ee-4ba3-ba47-9269ac837697`,
  projectManagement: `${ESCO}cd5efa8c-e44d-4cbc-91c6-796018dbed68`,
  manageTime: `${ESCO}d9013e0e-e937-43d5-ab71-0e917ee882b8`,
  leadOthers: `${ESCO}75d8e5d9-bef3-418b-9011-01bff9f27207`,
  interculturalCompetence: `${ESCO}c10d5d87-36cf-42f5-8a12-e560fb5f4af8`,
  negotiateCompromises: `${ESCO}7954861c-86d4-4529-afbb-2c23dab9ac74`,
  selfReflection: `${ESCO}409a0245-0e6c-4aac-ba16-0920ecb76a8d`,
  floodRemediation: `${ESCO}6b5d032a-b85a-44ea-9dad-5201048d2dd2`,
  createDigitalContent: `${ESCO}d822b4b2-26c7-4bd9-970d-229c6504f615`,
  collaborationSoftware: `${ESCO}b080a008-a35d-4bd0-92e9-edf3773bb2b7`,
  scienceForPolicy: `${ESCO}4d39b27a-b34f-4c89-8d46-df844d42f728`,
  disseminateResults: `${ESCO}2b1e2927-3542-48da-9063-02925e7562c1`,
  energyPolicy: `${ESCO}c4e9f0d0-bbdd-42d7-83a5-2c131f6d67c2`,
  heritageConservation: `${ESCO}3a519990-ae6c-4c8b-a827-2bf96d949940`,
  noiseStandards: `${ESCO}351cd749-498c-4ed3-9e38-58fc9bbf8f0e`,
  spreadsheets: `${ESCO}1973c966-f236-40c9-b2d4-5d71a89019be`,
} as const;

export interface OutcomeTemplate {
  description: string;
  skill: string;
  level: ProficiencyLevel;
}

export interface OfferingTemplate {
  title: string;
  description: string;
  iscedF: string;
  assessment: AssessmentType;
  sdgs: number[];
  outcomes: OutcomeTemplate[];
}

const S = DEMO_SKILLS;
const { FOUNDATION, INTERMEDIATE, ADVANCED } = ProficiencyLevel;
const o = (description: string, skill: string, level: ProficiencyLevel): OutcomeTemplate => ({ description, skill, level });

/** Micro-modules: short, formally assessed, 1–3 ECTS. None of their titles starts with "Sustainab" (see challenges). */
export const MICRO_MODULES: readonly OfferingTemplate[] = [
  {
    title: 'Circular Economy for Cities', iscedF: '0521', assessment: AssessmentType.PROJECT_WORK, sdgs: [11, 12],
    description: 'Material flows of a city and how to close them: reuse, repair, remanufacture and sustainable procurement.',
    outcomes: [
      o('Explain circular economy principles and apply them to an urban material flow.', S.circularEconomy, INTERMEDIATE),
      o('Assess the life cycle of a resource used by a city service.', S.lifeCycleOfResources, INTERMEDIATE),
      o('Compare waste management options by their environmental effect.', S.wasteManagement, FOUNDATION),
    ],
  },
  {
    title: 'Urban Planning Law Essentials', iscedF: '0731', assessment: AssessmentType.WRITTEN_EXAM, sdgs: [11, 16],
    description: 'The legal frame of urban development in Europe: zoning, permits, participation and environmental assessment.',
    outcomes: [
      o('Describe the legal instruments of urban planning and their procedures.', S.urbanPlanningLaw, INTERMEDIATE),
      o('Identify the environmental legislation that applies to a development project.', S.environmentalLegislation, FOUNDATION),
    ],
  },
  {
    title: 'Energy-Efficient Buildings', iscedF: '0732', assessment: AssessmentType.PRACTICAL, sdgs: [7, 11, 13],
    description: 'Energy performance of existing buildings, renovation strategies and low-impact materials.',
    outcomes: [
      o('Evaluate the energy performance of a building against EU requirements.', S.energyPerformanceOfBuildings, INTERMEDIATE),
      o('Propose energy efficiency measures with their expected savings.', S.energyEfficiency, INTERMEDIATE),
      o('Select building materials by their environmental footprint.', S.sustainableBuildingMaterials, FOUNDATION),
    ],
  },
  {
    title: 'Green Space Strategies for Liveable Neighbourhoods', iscedF: '0731', assessment: AssessmentType.PORTFOLIO, sdgs: [11, 15],
    description: 'Parks, street trees and nature-based solutions as urban infrastructure.',
    outcomes: [
      o('Design a green space strategy for a neighbourhood.', S.greenSpaceStrategies, INTERMEDIATE),
      o('Plan measures that safeguard urban biodiversity.', S.safeguardBiodiversity, FOUNDATION),
      o('Draft a biodiversity action plan with measurable targets.', S.biodiversityActionPlans, FOUNDATION),
    ],
  },
  {
    title: 'Climate Change Impact Assessment', iscedF: '0521', assessment: AssessmentType.WRITTEN_EXAM, sdgs: [13, 11],
    description: 'Methods to assess climate risks and emissions of urban systems.',
    outcomes: [
      o('Assess the impact of climate change on an urban system.', S.climateChangeImpact, ADVANCED),
      o('Advise on measures that reduce carbon emissions.', S.carbonEmissionsReduction, INTERMEDIATE),
      o('Critically appraise climate scenarios and their assumptions.', S.thinkCritically, INTERMEDIATE),
    ],
  },
  {
    title: 'Data Analysis for Smart Cities', iscedF: '0688', assessment: AssessmentType.PROJECT_WORK, sdgs: [9, 11],
    description: 'Working with open city data: cleaning, analysing and presenting it for decisions.',
    outcomes: [
      o('Analyse an open urban data set to answer a policy question.', S.performDataAnalysis, INTERMEDIATE),
      o('Explain the features and risks of smart city technologies.', S.smartCityFeatures, FOUNDATION),
      o('Present data findings visually to a non-expert audience.', S.presentData, INTERMEDIATE),
    ],
  },
  {
    title: 'Geographic Information Systems for Urban Analysis', iscedF: '0731', assessment: AssessmentType.PRACTICAL, sdgs: [11],
    description: 'Spatial data and GIS tools to map and analyse the city.',
    outcomes: [
      o('Use a geographic information system to map urban indicators.', S.useGis, INTERMEDIATE),
      o('Explain the concepts of spatial data and GIS.', S.gis, FOUNDATION),
    ],
  },
  {
    title: 'Mobility as a Service', iscedF: '1041', assessment: AssessmentType.PROJECT_WORK, sdgs: [11, 9],
    description: 'Integrated mobility services and how they change travel behaviour.',
    outcomes: [
      o('Describe mobility-as-a-service models and their business logic.', S.mobilityAsAService, INTERMEDIATE),
      o('Design a campaign promoting sustainable transport.', S.sustainableTransport, INTERMEDIATE),
      o('Apply transportation management concepts to a city case.', S.transportationManagement, FOUNDATION),
    ],
  },
  {
    title: 'Environmental Policy Design', iscedF: '0312', assessment: AssessmentType.ORAL_EXAM, sdgs: [13, 16],
    description: 'How environmental policy is made, implemented and evaluated at city, national and EU level.',
    outcomes: [
      o('Explain the instruments of environmental policy.', S.environmentalPolicy, INTERMEDIATE),
      o('Develop an environmental policy proposal for an organisation.', S.developEnvironmentalPolicy, INTERMEDIATE),
    ],
  },
  {
    title: 'Machine Learning for Climate and Cities', iscedF: '0613', assessment: AssessmentType.PRACTICAL, sdgs: [9, 13],
    description: 'Supervised and unsupervised learning applied to energy, mobility and climate data.',
    outcomes: [
      o('Explain the principles and limits of machine learning.', S.machineLearning, INTERMEDIATE),
      o('Train and evaluate a machine learning model on urban data.', S.utiliseMachineLearning, INTERMEDIATE),
      o('Write basic programs to prepare data.', S.basicProgramming, FOUNDATION),
    ],
  },
  {
    title: 'Research Ethics and Integrity', iscedF: '0011', assessment: AssessmentType.PORTFOLIO, sdgs: [4, 16],
    description: 'Responsible conduct of research in challenge-based projects with citizens and partners.',
    outcomes: [
      o('Apply research ethics and integrity principles to a project plan.', S.researchEthics, INTERMEDIATE),
      o('Critically evaluate information and its sources.', S.evaluateInformation, INTERMEDIATE),
    ],
  },
  {
    title: 'Project Management for Challenge Teams', iscedF: '0413', assessment: AssessmentType.PROJECT_WORK, sdgs: [8, 17],
    description: 'Planning, running and closing a challenge project with external partners.',
    outcomes: [
      o('Plan and monitor a project with a real partner.', S.projectManagement, INTERMEDIATE),
      o('Manage time and priorities in a team project.', S.manageTime, FOUNDATION),
      o('Lead a team through a project phase.', S.leadOthers, FOUNDATION),
    ],
  },
  {
    title: 'Intercultural Teamwork', iscedF: '0988', assessment: AssessmentType.PEER_ASSESSMENT, sdgs: [4, 10, 17],
    description: 'Working in international, interdisciplinary teams across the alliance.',
    outcomes: [
      o('Demonstrate intercultural competence in an international team.', S.interculturalCompetence, INTERMEDIATE),
      o('Contribute to team work and shared decisions.', S.workInTeams, INTERMEDIATE),
      o('Negotiate compromises between stakeholders.', S.negotiateCompromises, FOUNDATION),
    ],
  },
  {
    title: 'Creative Problem Solving', iscedF: '0988', assessment: AssessmentType.PORTFOLIO, sdgs: [4, 9],
    description: 'Methods to frame problems and generate, test and reflect on ideas.',
    outcomes: [
      o('Think creatively to generate alternative solutions.', S.thinkCreatively, INTERMEDIATE),
      o('Solve problems systematically.', S.solveProblems, INTERMEDIATE),
      o('Reflect on own learning and performance.', S.selfReflection, FOUNDATION),
    ],
  },
  {
    title: 'The Sustainable Development Goals in Practice', iscedF: '0319', assessment: AssessmentType.PORTFOLIO, sdgs: [4, 11, 17],
    description: 'The 2030 Agenda as a frame for projects: targets, indicators and trade-offs.',
    outcomes: [
      o('Relate a local project to the Sustainable Development Goals and their targets.', S.sdgs, INTERMEDIATE),
      o('Promote sustainability in an organisation.', S.promoteSustainability, FOUNDATION),
    ],
  },
  {
    title: 'Flood Resilience and Urban Water', iscedF: '0532', assessment: AssessmentType.PROJECT_WORK, sdgs: [6, 11, 13],
    description: 'Urban flood risk, water-sensitive design and remediation after extreme events.',
    outcomes: [
      o('Develop flood remediation strategies for an urban area.', S.floodRemediation, INTERMEDIATE),
      o('Assess climate change effects on urban water.', S.climateChangeImpact, FOUNDATION),
    ],
  },
  {
    title: 'Waste Management Processes', iscedF: '0712', assessment: AssessmentType.WRITTEN_EXAM, sdgs: [11, 12],
    description: 'Collection, sorting, treatment and prevention of municipal waste.',
    outcomes: [
      o('Develop a waste management process for an organisation.', S.wasteManagementProcesses, INTERMEDIATE),
      o('Explain municipal waste management methods and rules.', S.wasteManagement, INTERMEDIATE),
    ],
  },
  {
    title: 'Digital Content for Civic Engagement', iscedF: '0211', assessment: AssessmentType.PORTFOLIO, sdgs: [11, 16],
    description: 'Creating digital content and online collaboration that involve citizens in urban change.',
    outcomes: [
      o('Create digital content for a civic campaign.', S.createDigitalContent, INTERMEDIATE),
      o('Use communication and collaboration software with partners.', S.collaborationSoftware, FOUNDATION),
    ],
  },
  {
    title: 'Science for Policy Impact', iscedF: '0312', assessment: AssessmentType.ORAL_EXAM, sdgs: [16, 17],
    description: 'Bringing research results to policy makers and the public.',
    outcomes: [
      o('Increase the impact of research findings on policy and society.', S.scienceForPolicy, INTERMEDIATE),
      o('Disseminate results to scientific and public audiences.', S.disseminateResults, INTERMEDIATE),
    ],
  },
  {
    title: 'Energy Communities and Local Energy Policy', iscedF: '0713', assessment: AssessmentType.PROJECT_WORK, sdgs: [7, 11],
    description: 'Citizen energy communities, local renewable generation and the policies behind them.',
    outcomes: [
      o('Develop an energy policy for a municipality or community.', S.energyPolicy, INTERMEDIATE),
      o('Identify energy efficiency potential in a district.', S.energyEfficiency, FOUNDATION),
    ],
  },
  {
    title: 'Natural and Cultural Heritage in Cities', iscedF: '0222', assessment: AssessmentType.PORTFOLIO, sdgs: [11],
    description: 'Protecting and using urban heritage in a changing city (SDG target 11.4).',
    outcomes: [o('Plan the conservation of natural and cultural heritage sites.', S.heritageConservation, INTERMEDIATE)],
  },
  {
    title: 'Noise, Air and Environmental Compliance', iscedF: '0521', assessment: AssessmentType.WRITTEN_EXAM, sdgs: [3, 11],
    description: 'Environmental standards for urban activities and how compliance is checked.',
    outcomes: [
      o('Check compliance of an activity with noise standards.', S.noiseStandards, FOUNDATION),
      o('Ensure compliance with environmental legislation in a project.', S.environmentalCompliance, INTERMEDIATE),
    ],
  },
  {
    title: 'Spreadsheets for Evidence-Based Decisions', iscedF: '0611', assessment: AssessmentType.PRACTICAL, sdgs: [4],
    description: 'From raw numbers to a decision: spreadsheet modelling for project teams.',
    outcomes: [
      o('Use spreadsheet software to model and compare options.', S.spreadsheets, INTERMEDIATE),
      o('Analyse data to support a decision.', S.performDataAnalysis, FOUNDATION),
    ],
  },
];

/** Themes of each member's flagship SDG 11 challenge ("Sustainable <city>: …"). */
export const CHALLENGE_THEMES: readonly { theme: string; focus: string; skill: string }[] = [
  { theme: 'car-free city centre', focus: 'mobility', skill: S.sustainableTransport },
  { theme: 'heat-resilient neighbourhoods', focus: 'climate adaptation', skill: S.greenSpaceStrategies },
  { theme: 'zero-waste campus', focus: 'circular economy', skill: S.circularEconomy },
  { theme: 'energy-positive district', focus: 'energy', skill: S.energyEfficiency },
  { theme: 'inclusive public spaces', focus: 'public space', skill: S.urbanSustainability },
];

/** Courses: longer, within a regular learning path. */
export const COURSES: readonly OfferingTemplate[] = [
  {
    title: 'Urban Sustainability Transitions', iscedF: '0731', assessment: AssessmentType.PROJECT_WORK, sdgs: [11, 13],
    description: 'How cities move towards sustainability: governance, technology and behaviour.',
    outcomes: [
      o('Analyse an urban sustainability transition and its actors.', S.urbanSustainability, ADVANCED),
      o('Relate transition goals to the Sustainable Development Goals.', S.sdgs, INTERMEDIATE),
      o('Critically assess transition policies.', S.thinkCritically, ADVANCED),
    ],
  },
  {
    title: 'Smart and Liveable Cities', iscedF: '0688', assessment: AssessmentType.WRITTEN_EXAM, sdgs: [9, 11],
    description: 'Digital technology in the service of liveability, with its social and ethical questions.',
    outcomes: [
      o('Evaluate smart city features against liveability goals.', S.smartCityFeatures, ADVANCED),
      o('Analyse city data to evaluate an intervention.', S.performDataAnalysis, INTERMEDIATE),
    ],
  },
];
