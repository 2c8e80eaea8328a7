// Pascal VOC Annotations XML: one file per image with its size and an <object> (class
// name, bounding box, difficult flag) per object. Only this fixed, flat structure is read,
// so a few regular expressions stand in for an XML parser.

export interface VocObject {
  name: string;
  /** 1-based inclusive pixel box, as VOC writes it. */
  box: { xmin: number; ymin: number; xmax: number; ymax: number };
  difficult?: boolean;
}

export interface VocAnnotation {
  filename: string;
  width: number;
  height: number;
  depth: number;
  objects: VocObject[];
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function writeVocAnnotation(a: VocAnnotation, folder = 'VOC2012'): string {
  const objects = a.objects.map((o) => `\t<object>
\t\t<name>${escapeXml(o.name)}</name>
\t\t<pose>Unspecified</pose>
\t\t<truncated>0</truncated>
\t\t<difficult>${o.difficult ? 1 : 0}</difficult>
\t\t<bndbox>
\t\t\t<xmin>${o.box.xmin}</xmin>
\t\t\t<ymin>${o.box.ymin}</ymin>
\t\t\t<xmax>${o.box.xmax}</xmax>
\t\t\t<ymax>${o.box.ymax}</ymax>
\t\t</bndbox>
\t</object>
`).join('');
  return `<annotation>
\t<folder>${escapeXml(folder)}</folder>
\t<filename>${escapeXml(a.filename)}</filename>
\t<size>
\t\t<width>${a.width}</width>
\t\t<height>${a.height}</height>
\t\t<depth>${a.depth}</depth>
\t</size>
\t<segmented>1</segmented>
${objects}</annotation>
`;
}

function tag(xml: string, name: string, where: string, required = true): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!m && required) throw new Error(`${where}: no <${name}> element`);
  return m ? unescapeXml(m[1]!.trim()) : undefined;
}

function int(xml: string, name: string, where: string): number {
  const v = Number(tag(xml, name, where));
  if (!Number.isFinite(v)) throw new Error(`${where}: <${name}> is not a number`);
  // VOC2007 writes a few boxes with fractional coordinates.
  return Math.round(v);
}

/** Parses one annotation file's text; `source` (the file) names it in errors. */
export function parseVocAnnotation(xml: string, source = '<annotation>'): VocAnnotation {
  if (!/<annotation[\s>]/.test(xml)) throw new Error(`${source}: not a VOC annotation (no <annotation> element)`);
  const size = tag(xml, 'size', source)!;
  const objects: VocObject[] = [];
  for (const m of xml.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const body = m[1]!;
    const where = `${source}: object ${objects.length + 1}`;
    const box = tag(body, 'bndbox', where)!;
    objects.push({
      name: tag(body, 'name', where)!,
      box: { xmin: int(box, 'xmin', where), ymin: int(box, 'ymin', where), xmax: int(box, 'xmax', where), ymax: int(box, 'ymax', where) },
      difficult: tag(body, 'difficult', where, false) === '1',
    });
  }
  return {
    filename: tag(xml, 'filename', source) ?? '',
    width: int(size, 'width', source), height: int(size, 'height', source), depth: Number(tag(size, 'depth', source, false) ?? 3),
    objects,
  };
}
