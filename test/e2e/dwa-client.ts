// A dual-write gateway client written only from the calls Microsoft's dual-write automation tool
// makes (microsoft/Dual-write-automations, DWLibary: DWHttp.cs builds <base>/api/DualWriteManagement/1.0/,
// DWEnvCalls.cs asks Environments?targetType=AX&identifier=<F&O host> and takes the first cid,
// Engines/DWCommonEngine.cs lists Entities?targetType=AX&cid=<cid> as a bare array of maps and reads
// <pid>/FieldMappings, whose legs[0] hold the filters). Plain fetch, nothing from this project:
// it is the acceptance check that the emulator's gateway is the real contract, not our own guess.

export interface DwaMap {
  leftEntity: { targetType: string; name: string };
  rightEntity: { targetType: string; name: string };
  detail: { tName: string; pid: string; state: string; template: { id: string } };
}

export interface DwaLeg {
  sourceFilter?: string;
  reversedSourceFilter?: string;
  fieldMappings: Array<{
    syncDirection: number;
    sourceField: string | null;
    destinationField: string;
    valueTransforms: Array<{ transformType: string; defaultValue?: string }>;
  }>;
}

export class DwaClient {
  constructor(
    /** The gateway's base URL, as DWA's GlobalVar.baseUrl: scheme and host only. */
    private readonly baseUrl: string,
    private readonly token: string,
    /** The F&O environment's host name, DWA's -e argument. */
    private readonly financeHost: string,
  ) {}

  private async get<T>(relative: string): Promise<T> {
    const url = new URL(relative, new URL("/api/DualWriteManagement/1.0/", this.baseUrl));
    const response = await fetch(url, { headers: { Authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new Error(`GET ${url.pathname}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async cid(): Promise<string> {
    const environments = await this.get<Array<{ cid: string }>>(
      `Environments?targetType=AX&identifier=${this.financeHost}`,
    );
    return environments[0]!.cid;
  }

  async maps(): Promise<DwaMap[]> {
    return this.get<DwaMap[]>(`Entities?targetType=AX&cid=${await this.cid()}`);
  }

  /** DWA reads the filters from the first task's first leg. */
  async firstLeg(map: DwaMap): Promise<DwaLeg> {
    const document = await this.get<{ entityMappingTasks: Array<{ legs: DwaLeg[] }> }>(
      `${map.detail.pid}/FieldMappings`,
    );
    return document.entityMappingTasks[0]!.legs[0]!;
  }
}
