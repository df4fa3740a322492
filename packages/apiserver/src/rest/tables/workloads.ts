// printDeployment, printReplicaSet, printDaemonSet, printJob, printCronJob, printStatefulSet.
import { col, nameColumn, ageColumn, formatLabels, formatSelector, containerCells, type Printer } from './types.js';
import { since, humanDuration } from './age.js';

const containersCol = () => col('Containers', 'string', 'Names of each container in the template.', 1);
const imagesCol = () => col('Images', 'string', 'Images referenced by each container in the template.', 1);
const selectorCol = () => col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1);

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  row(d: any, now: number) {
    const st = d.status ?? {};
    const [containers, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata?.name ?? '',
      `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      since(d.metadata?.creationTimestamp, now),
      containers,
      images,
      formatSelector(d.spec?.selector),
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'Replicas is the number of desired pods.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    ageColumn(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  row(rs: any, now: number) {
    const st = rs.status ?? {};
    const [containers, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name ?? '',
      rs.spec?.replicas ?? 0,
      st.replicas ?? 0,
      st.readyReplicas ?? 0,
      since(rs.metadata?.creationTimestamp, now),
      containers,
      images,
      formatSelector(rs.spec?.selector),
    ];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  row(ds: any, now: number) {
    const st = ds.status ?? {};
    const [containers, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata?.name ?? '',
      st.desiredNumberScheduled ?? 0,
      st.currentNumberScheduled ?? 0,
      st.numberReady ?? 0,
      st.updatedNumberScheduled ?? 0,
      st.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata?.creationTimestamp, now),
      containers,
      images,
      formatSelector(ds.spec?.selector),
    ];
  },
};

function hasCondition(conditions: any[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The completion status of the job.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  row(job: any, now: number) {
    const spec = job.spec ?? {};
    const st = job.status ?? {};
    const succeeded = st.succeeded ?? 0;
    let completions: string;
    if (spec.completions !== undefined && spec.completions !== null) completions = `${succeeded}/${spec.completions}`;
    else if ((spec.parallelism ?? 0) > 1) completions = `${succeeded}/1 of ${spec.parallelism}`;
    else completions = `${succeeded}/1`;
    let duration = '';
    if (st.startTime) {
      const end = st.completionTime ? Date.parse(st.completionTime) : now;
      duration = humanDuration(end - Date.parse(st.startTime));
    }
    let status = 'Running';
    if (hasCondition(st.conditions, 'Complete')) status = 'Complete';
    else if (hasCondition(st.conditions, 'Failed')) status = 'Failed';
    else if (job.metadata?.deletionTimestamp) status = 'Terminating';
    else if (hasCondition(st.conditions, 'Suspended')) status = 'Suspended';
    else if (hasCondition(st.conditions, 'FailureTarget')) status = 'FailureTarget';
    else if (hasCondition(st.conditions, 'SuccessCriteriaMet')) status = 'SuccessCriteriaMet';
    const [containers, images] = containerCells(spec.template?.spec?.containers);
    return [job.metadata?.name ?? '', status, completions, duration, since(job.metadata?.creationTimestamp, now), containers, images, formatSelector(spec.selector)];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Schedule', 'string', 'The schedule in Cron format.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  row(cj: any, now: number) {
    const spec = cj.spec ?? {};
    const st = cj.status ?? {};
    const suspend = spec.suspend === undefined || spec.suspend === null ? '<unset>' : spec.suspend ? 'True' : 'False';
    const [containers, images] = containerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
    return [
      cj.metadata?.name ?? '',
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      suspend,
      (st.active ?? []).length,
      st.lastScheduleTime ? since(st.lastScheduleTime, now) : '<none>',
      since(cj.metadata?.creationTimestamp, now),
      containers,
      images,
      formatSelector(spec.jobTemplate?.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn(), col('Ready', 'string', 'Number of the pod with ready state'), ageColumn(), containersCol(), imagesCol()],
  row(ss: any, now: number) {
    const [containers, images] = containerCells(ss.spec?.template?.spec?.containers);
    return [ss.metadata?.name ?? '', `${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 0}`, since(ss.metadata?.creationTimestamp, now), containers, images];
  },
};
