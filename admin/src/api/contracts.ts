// 合同模板: api/routers/contracts.py (operator endpoints). A new version never changes a sent contract.
import { http } from '@/utils/request'
import type { Schemas } from './types'

export type ContractTemplate = Schemas['TemplateOut']
export type ContractTemplateList = Schemas['TemplateList']
export type ContractTemplateInput = Schemas['TemplateIn']

export const getContractTemplatesApi = () => http.get<ContractTemplateList>('/admin/contract-templates')
export const getContractTemplateApi = (id: number) => http.get<ContractTemplate>(`/admin/contract-templates/${id}`)
export const createContractTemplateApi = (body: ContractTemplateInput) =>
  http.post<ContractTemplate>('/admin/contract-templates', body)
