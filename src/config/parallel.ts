/**
 * `fn` over `items`, at most `limit` at a time, results in the items' order. Why: the scan reads
 * many small files and directories, and one at a time it mostly waits on the file system.
 *
 * @example
 * const texts = await mapInOrder(['a.yml', 'b.yml'], 8, (path) => readFile(path, 'utf8'));
 */
export async function mapInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
