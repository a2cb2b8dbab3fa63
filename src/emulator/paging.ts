// Page-number paging (contract 1.5, 9.14): invalid values are rejected, never clamped, and a page
// past the end is an empty 200, because both official pagers stop only on an empty page.

import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../twelvelabs/limits';
import type { WirePageInfo } from '../twelvelabs/wire';
import { parameterInvalid } from './api-error';

export interface PageRequest {
  /** 1-based page number. */
  page: number;
  pageLimit: number;
}

export function parsePageRequest(query: URLSearchParams): PageRequest {
  return {
    page: parsePositiveInt(query, 'page', 1, Number.MAX_SAFE_INTEGER),
    pageLimit: parsePositiveInt(query, 'page_limit', DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT),
  };
}

/** The 0-based [start, end) slice of the whole result list that a page covers, and its page_info. */
export function pageWindow(request: PageRequest, totalResults: number): { start: number; end: number; pageInfo: WirePageInfo } {
  const start = Math.min((request.page - 1) * request.pageLimit, totalResults);
  const end = Math.min(start + request.pageLimit, totalResults);
  return {
    start,
    end,
    pageInfo: {
      limit_per_page: request.pageLimit,
      page: request.page,
      total_page: Math.ceil(totalResults / request.pageLimit),
      total_results: totalResults,
    },
  };
}

function parsePositiveInt(query: URLSearchParams, name: string, defaultValue: number, max: number): number {
  const text = query.get(name);
  if (text === null) return defaultValue;
  if (!/^\d+$/.test(text)) throw parameterInvalid(name, `expected an integer, got '${text}'`);
  const value = Number(text);
  if (value < 1 || value > max) throw parameterInvalid(name, `must be between 1 and ${max}, got ${text}`);
  return value;
}
