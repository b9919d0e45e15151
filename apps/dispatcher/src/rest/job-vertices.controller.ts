/** Flink's /jobs/:jobid/vertices/:vertexid views: the vertex, its subtasks and their attempts, times, TaskManagers and flame graph. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { JobDetailsViewService } from '../jobs/job-details-view.service';
import { parseJobId } from './ids';
import { parseDurationMs, parseFlameGraphType, parseIndex, parseOptionalInt, parseVertexId } from './view-params';

/** Flink samples a flame graph for about this long by default. */
const FLAME_GRAPH_DEFAULT_MS = 3000;

@Controller('jobs/:jobid/vertices/:vertexid')
export class JobVerticesRestController {
  constructor(private readonly views: JobDetailsViewService) {}

  @Get()
  vertex(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string) {
    return this.views.vertex(parseJobId(jobId), parseVertexId(vertexId));
  }

  /** Flink: the subtasks' current attempts (as in the vertex view). */
  @Get('subtasks')
  async subtasks(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string) {
    const view = (await this.views.vertex(parseJobId(jobId), parseVertexId(vertexId))) as { subtasks: unknown[] };
    return { subtasks: view.subtasks };
  }

  @Get('subtasks/:subtaskindex')
  subtask(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string, @Param('subtaskindex') index: string) {
    return this.views.subtask(parseJobId(jobId), parseVertexId(vertexId), parseIndex(index, 'subtaskindex'));
  }

  @Get('subtasks/:subtaskindex/attempts/:attempt')
  attempt(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string, @Param('subtaskindex') index: string, @Param('attempt') attempt: string) {
    return this.views.subtask(parseJobId(jobId), parseVertexId(vertexId), parseIndex(index, 'subtaskindex'), parseIndex(attempt, 'attempt'));
  }

  @Get('subtasktimes')
  subtaskTimes(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string) {
    return this.views.subtaskTimes(parseJobId(jobId), parseVertexId(vertexId));
  }

  @Get('taskmanagers')
  taskManagers(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string) {
    return this.views.taskManagers(parseJobId(jobId), parseVertexId(vertexId));
  }

  /**
   * Flink's flame graph of a vertex: a CPU profile (V8's sampling profiler) of the slot workers
   * running its subtasks for `durationMs` (default 3 s); the request returns when it is taken.
   * A worker runs every subtask of its slot, so frames of the slot's other tasks show too.
   * `type`: FULL (default) or ON_CPU (idle samples left out), as Flink's.
   */
  @Get('flamegraph')
  flameGraph(
    @Param('jobid') jobId: string,
    @Param('vertexid') vertexId: string,
    @Query('durationMs') durationMs?: string,
    @Query('subtaskindex') subtaskIndex?: string,
    @Query('type') type?: string,
  ) {
    return this.views.flameGraph(
      parseJobId(jobId),
      parseVertexId(vertexId),
      parseDurationMs(durationMs, FLAME_GRAPH_DEFAULT_MS),
      parseOptionalInt(subtaskIndex, 'subtaskindex', 0, 1 << 20),
      parseFlameGraphType(type),
    );
  }
}
