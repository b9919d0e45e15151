/**
 * REST features an operator can switch off (Flink's `web.submit.enable` / `web.cancel.enable`):
 * with REST_SUBMIT_ENABLED=false nobody uploads or runs jobs over REST, with
 * REST_CANCEL_ENABLED=false nobody cancels or stops one — whatever token they hold. Guards run
 * before interceptors, so a refused upload is never read.
 */
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ForbiddenError } from '@runnel/protocol';
import { DispatcherSettings } from '../dispatcher.settings';

@Injectable()
export class SubmitEnabledGuard implements CanActivate {
  constructor(private readonly settings: DispatcherSettings) {}

  canActivate(): boolean {
    if (this.settings.restSubmitEnabled) return true;
    throw new ForbiddenError('Submitting jobs over REST is switched off on this dispatcher (REST_SUBMIT_ENABLED=false)', { setting: 'REST_SUBMIT_ENABLED' });
  }
}

@Injectable()
export class CancelEnabledGuard implements CanActivate {
  constructor(private readonly settings: DispatcherSettings) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.settings.restCancelEnabled) return true;
    // A savepoint that does not cancel the job (`cancel-job` false) is no cancellation.
    const request = context.switchToHttp().getRequest<{ method: string; path: string; body?: Record<string, unknown> }>();
    const savepointOnly = /\/savepoints\/?$/i.test(request.path) && request.body?.['cancel-job'] !== true && request.body?.['cancelJob'] !== true;
    if (savepointOnly) return true;
    throw new ForbiddenError('Cancelling and stopping jobs over REST is switched off on this dispatcher (REST_CANCEL_ENABLED=false)', { setting: 'REST_CANCEL_ENABLED' });
  }
}
